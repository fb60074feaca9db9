// Questions a cluster worker puts to its sibling workers through the primary (node:cluster IPC): e.g. "do you hold
// these prediction ids?" when a label arrives at a worker other than the one that served the prediction.
import cluster, { type Worker } from "node:cluster";

const ASK = "millrace:peers-ask";
const QUESTION = "millrace:peers-question";
const REPLY = "millrace:peers-reply";
const ANSWERS = "millrace:peers-answers";

type Ask = { type: typeof ASK; req: number; topic: string; payload: unknown };
type Question = { type: typeof QUESTION; req: number; origin: number; topic: string; payload: unknown };
type Reply = { type: typeof REPLY; req: number; origin: number; answer: unknown };
type Answers = { type: typeof ANSWERS; req: number; answers: unknown[] };

const is = <T extends { type: string }>(m: unknown, type: T["type"]): m is T => m !== null && typeof m === "object" && (m as { type?: unknown }).type === type;

/** Worker side: answers the questions of one topic from sibling workers. */
export function answerPeers(topic: string, answer: (payload: unknown) => unknown): void {
  if (!cluster.isWorker) return;
  process.on("message", (m: unknown) => {
    if (!is<Question>(m, QUESTION) || m.topic !== topic) return;
    let reply: unknown = null;
    try {
      reply = answer(m.payload);
    } catch {
      // a failing answer counts as "nothing here"
    }
    process.send?.({ type: REPLY, req: m.req, origin: m.origin, answer: reply } satisfies Reply);
  });
}

let nextReq = 1;
const pending = new Map<number, (answers: unknown[]) => void>();
let listening = false;

/** Worker side: asks every sibling worker; resolves with their answers (none outside a cluster, or after the timeout). */
export function askPeers(topic: string, payload: unknown, timeoutMs = 2000): Promise<unknown[]> {
  if (!cluster.isWorker || !process.send) return Promise.resolve([]);
  if (!listening) {
    listening = true;
    process.on("message", (m: unknown) => {
      if (!is<Answers>(m, ANSWERS)) return;
      pending.get(m.req)?.(m.answers);
      pending.delete(m.req);
    });
  }
  const req = nextReq++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      pending.delete(req);
      resolve([]);
    }, timeoutMs);
    timer.unref();
    pending.set(req, (answers) => {
      clearTimeout(timer);
      resolve(answers);
    });
    process.send!({ type: ASK, req, topic, payload } satisfies Ask);
  });
}

/** Primary side: relays each worker's question to the other workers and their replies back to it. */
export function relayPeerQuestions(timeoutMs = 1500): void {
  const open = new Map<string, { origin: Worker; waiting: Set<number>; answers: unknown[]; timer: NodeJS.Timeout }>();
  const finish = (key: string) => {
    const q = open.get(key);
    if (!q) return;
    open.delete(key);
    clearTimeout(q.timer);
    if (q.origin.isConnected()) q.origin.send({ type: ANSWERS, req: Number(key.split(":")[1]), answers: q.answers } satisfies Answers);
  };
  cluster.on("message", (worker: Worker, m: unknown) => {
    if (is<Ask>(m, ASK)) {
      const others = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && w.id !== worker.id && w.isConnected());
      const key = `${worker.id}:${m.req}`;
      const timer = setTimeout(() => finish(key), timeoutMs);
      timer.unref();
      open.set(key, { origin: worker, waiting: new Set(others.map((w) => w.id)), answers: [], timer });
      for (const w of others) w.send({ type: QUESTION, req: m.req, origin: worker.id, topic: m.topic, payload: m.payload } satisfies Question);
      if (others.length === 0) finish(key);
    } else if (is<Reply>(m, REPLY)) {
      const key = `${m.origin}:${m.req}`;
      const q = open.get(key);
      if (!q) return;
      q.answers.push(m.answer);
      q.waiting.delete(worker.id);
      if (q.waiting.size === 0) finish(key);
    }
  });
}
