-- Email and phone are hashed with MD5 (DuckDB's md5_number: the salted MD5 as a 128-bit number)
-- in a warehouse that holds no hash yet; one that does keeps the first 128 bits of SHA-256 it
-- made them with (no 'pii_hash' key), or the same address would stop matching. MD5 is 1.3 CPU s
-- cheaper per 5M addresses, and guards them as well here: both are fast hashes, what protects an
-- address is the salt, which lives in this file beside the hashes, and MD5's weakness
-- (collisions made on purpose) has nothing to do with matching. pipelines/warehouse.PII_HASHES
-- holds both. A migration, so that an okrfunnel that knows only SHA-256 refuses the warehouse.
INSERT INTO warehouse_meta
SELECT 'pii_hash', 'md5'
WHERE NOT EXISTS (FROM warehouse_meta WHERE key = 'pii_hash')
  AND NOT EXISTS (FROM lead_snapshot WHERE email_hash IS NOT NULL OR phone_hash IS NOT NULL)
  AND NOT EXISTS (FROM stage_entry WHERE email_hash IS NOT NULL OR phone_hash IS NOT NULL)
  AND NOT EXISTS (FROM entry_lead_state WHERE email_hash IS NOT NULL OR phone_hash IS NOT NULL);
