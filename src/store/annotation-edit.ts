// One audited edit of a note, tag or description (store/annotations.ts writes them); apart, so the dashboard's
// browser build reads the type without the SQL store behind it.
/** One changed field: `notes`, `description` or `tag:<key>` (after null: the tag was removed). */
export interface AnnotationEdit {
  id: string;
  /** `run:<id>` or `model:<name>@<version>`. */
  target: string;
  field: string;
  before: string | null;
  after: string | null;
  actor: string;
  at: string;
}
