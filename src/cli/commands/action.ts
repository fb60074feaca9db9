// The shape of the CLI's action wrapper, shared by the files that register commands.
export type ActionWrapper = <A extends unknown[]>(fn: (...args: A) => Promise<number>) => (...args: A) => Promise<void>;
