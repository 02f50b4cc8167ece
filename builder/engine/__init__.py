"""Generic incremental machinery: a verified store, memoised results, the executor. Imports no stage."""
