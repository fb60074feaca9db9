// The fields a POST /feedback body may hold, checked before the joiner sees it: a misspelt field (`lable`, `zz`) is a
// 400 naming it, not a label silently dropped.
import { ValidationError } from "../errors.js";
import { LABEL_FEEDBACK_FIELDS } from "../monitor/feedback.js";
import { LIST_FEEDBACK_FIELDS } from "../monitor/served-lists.js";

/** What a /feedback body looks like: the empty body's hint. */
export const FEEDBACK_BODY_HINT = 'send {"feedback":[{"id":"<prediction id>","label":"<class>"}]} (a regression: "value": <number>; a served list: "items": ["<clicked item>", ...])';

// The parsers' own lists: a field a parser reads is never refused here.
const LABEL_FIELDS = new Set(LABEL_FEEDBACK_FIELDS);
const LIST_FIELDS = new Set(LIST_FEEDBACK_FIELDS);

/** Throws a 400 naming the first field a /feedback body or one of its entries does not know. */
export function checkFeedbackFields(body: unknown): void {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return; // the joiner words the shape error
  for (const k in body) {
    if (k !== "feedback") throw new ValidationError(`${k} is not a known body field`, { path: k, hint: `the body has one field, "feedback": ${FEEDBACK_BODY_HINT}` });
  }
  const list = (body as { feedback?: unknown }).feedback;
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) continue;
    const fields = "items" in entry ? LIST_FIELDS : LABEL_FIELDS;
    for (const k in entry) {
      if (!fields.has(k)) {
        throw new ValidationError(`feedback[${i}].${k} is not a feedback field`, {
          path: `feedback[${i}].${k}`,
          hint: fields === LIST_FIELDS ? "a served list's entry has id, items and optionally ratings (one per item)" : "an entry has id and label (classification) or value (regression)",
        });
      }
    }
  }
}
