-- A store at schema version 2 whose run has no number of paths (NULL in an integer column: a file
-- edited by hand, or written by another program). `hashpivot runs list` failed with "internal
-- error: result store: an integer column holds NULL or a non-integer" (exit 3), a
-- std::runtime_error from ResultStore::list. Found by fuzz/result_store_fuzz.cpp with
-- HASHPIVOT_FUZZ_STRICT_STORE=1.
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version VALUES (2);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, scenario_name TEXT, scenario_path TEXT,
  scenario_text TEXT, seed BIGINT, paths BIGINT, version TEXT, started_at TEXT, finished_at TEXT,
  start_date TEXT, horizon_days INTEGER, threads INTEGER, market_description TEXT);
INSERT INTO runs VALUES (1, 'seed', 'seed.toml', '', 1, NULL, '0.1.0', '2026-02-01T09:30:00.000Z',
  '2026-02-01T09:30:01.000Z', '2026-02-01', 365, 1, '');
CREATE TABLE strategy_summaries (run_id BIGINT, position INTEGER, strategy TEXT);
CREATE TABLE monthly_quantiles (run_id BIGINT, seq INTEGER, strategy TEXT, month TEXT, series TEXT,
  p5 REAL, p25 REAL, p50 REAL, p75 REAL, p95 REAL, mean REAL);
CREATE TABLE monthly_accounts (run_id BIGINT, seq INTEGER, strategy TEXT, month TEXT, field TEXT, mean REAL);
CREATE TABLE default_months (run_id BIGINT, seq INTEGER, strategy TEXT, month TEXT, paths_defaulted BIGINT);
