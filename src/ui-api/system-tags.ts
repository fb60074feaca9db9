// Tags the pipeline writes and reads back (a trial's state ranks it, `candidate` names the training task): editing
// them would change what the pages and `millrace runs` say a run was, so the dashboard offers no edit and the API
// refuses one. No imports: the browser build reads this list too.
export const SYSTEM_TAGS: ReadonlySet<string> = new Set([
  "project", "candidate", "dataset_hash", "trial", "state", "objective",
  "search_method", "search_trials", "search_pruned", "best_trial", "search_workers",
  // auto: the learner it chose (on the candidate's run) and each tried learner's child run.
  "chosen", "chosen_model", "auto_metric", "auto_candidates", "auto_refit_on_all_rows", "auto_refit", "auto_refit_reason", "auto_candidate", "selected",
  // The train config a registered run was trained under: the next run retrains when it differs (flow/steps/train-config.ts).
  "train_config",
]);
