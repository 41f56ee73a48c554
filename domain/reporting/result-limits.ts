// Workflow results stay small (< 64 KB): they carry at most this many report references per
// severity; the report_runs ledger and the reports table hold the complete lists.
export const REPORT_REF_LIMIT = 25;
