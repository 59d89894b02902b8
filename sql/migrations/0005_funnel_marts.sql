-- The funnel marts (sql/marts/*.sql) are derived tables: the migration step builds any that a
-- warehouse lacks, and every funnel load rebuilds them. This version marks warehouses that have
-- them, so a reader of an older one is told to let a writer migrate it.
SELECT 1;
