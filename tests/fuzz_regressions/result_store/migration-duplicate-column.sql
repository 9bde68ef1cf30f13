-- A store that says schema version 1 but already has version 2's runs.threads column (a file
-- edited by hand, or a version table set back). Opening it migrates it, and the migration's ALTER
-- TABLE failed with "internal error: …: SQLite: duplicate column name: threads" (exit 3), a
-- std::runtime_error from open_result_store. Found by fuzz/result_store_fuzz.cpp with
-- HASHPIVOT_FUZZ_STRICT_STORE=1.
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (1);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, scenario_name TEXT, scenario_path TEXT,
  scenario_text TEXT, seed BIGINT, paths BIGINT, version TEXT, started_at TEXT, finished_at TEXT,
  start_date TEXT, horizon_days INTEGER, threads INTEGER);
CREATE TABLE strategy_summaries (run_id BIGINT, position INTEGER, strategy TEXT);
CREATE TABLE monthly_quantiles (run_id BIGINT, seq INTEGER, strategy TEXT, month TEXT, series TEXT,
  p5 REAL, p25 REAL, p50 REAL, p75 REAL, p95 REAL, mean REAL);
CREATE TABLE monthly_accounts (run_id BIGINT, seq INTEGER, strategy TEXT, month TEXT, field TEXT, mean REAL);
CREATE TABLE default_months (run_id BIGINT, seq INTEGER, strategy TEXT, month TEXT, paths_defaulted BIGINT);
