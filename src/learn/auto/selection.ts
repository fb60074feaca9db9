// What `auto` records of its search: every candidate tried (CV score, state, why it stopped) and the selection made.

/** One candidate as tried: its CV score (mean over folds) or why it was not finished. */
export interface AutoCandidate {
  label: string;
  model: string;
  params: Record<string, unknown>;
  metric: string;
  cvMean: number | null;
  cvStd: number | null;
  seconds: number;
  /** "not better": the blend, when no mix beat the best single candidate in CV (or fewer than two were scored). */
  status: "scored" | "skipped: budget" | "not better" | "failed";
  error?: string;
  /** Why it was skipped or stopped (status "skipped: budget"), or why its CV ended early (cvParts). */
  reason?: string;
  /**
   * The CV parts its score is the mean of, when fewer than the others': the first candidate always gets one part;
   * the budget can end its CV after any part.
   */
  cvParts?: number;
  /**
   * Its CV mean over the parts every scored candidate was scored on, when that is fewer parts than its own (see
   * AutoSelection.comparedParts): what it was compared by.
   */
  comparedMean?: number;
  /** On the chosen candidate (a blend: the blend and each member): how the returned model was fitted, and why. */
  refit?: Refit;
  refitReason?: string;
}

/** "all_rows": refit on every train row; "last_cv_part": the budget left no time, the model of the last CV part is kept. */
export type Refit = "all_rows" | "last_cv_part";

export interface AutoSelection {
  chosen: string;
  chosenModel: string;
  metric: string;
  budgetSeconds: number;
  candidates: AutoCandidate[];
  /**
   * False when the budget left no time to refit the chosen learner on every train row: the model is then the one fitted
   * on the last CV part's train rows (absent in models saved before this field).
   */
  refitOnAllRows?: boolean;
  /** The same as a word, with the reason (absent in models saved before it). */
  refit?: Refit;
  refitReason?: string;
  /**
   * When a scored candidate has held-out predictions for fewer CV parts than the others (the budget ended the first
   * candidate's CV early, and there was no time to fit the rest later): the parts (the first ones) on whose held-out
   * rows every candidate is compared and the blend is scored, and a sentence saying so. Absent: every part.
   */
  comparedParts?: number;
  comparison?: string;
}

