-- Email and phone hashes become 128-bit numbers: the first half of the salted SHA-256, which
-- stays a salted one-way hash that keeps matching (a chance of about n^2 / 2^129 that two of n
-- addresses share one). As 64 hex characters each, they were the costliest columns to write
-- (random text does not compress): at 5M leads, half the time of writing a CRM snapshot.
-- Existing values are converted the same way, so hashes made before and after still match.
ALTER TABLE stage_entry ALTER email_hash TYPE UHUGEINT USING ('0x' || left(email_hash, 32))::UHUGEINT;
ALTER TABLE stage_entry ALTER phone_hash TYPE UHUGEINT USING ('0x' || left(phone_hash, 32))::UHUGEINT;
ALTER TABLE entry_lead_state ALTER email_hash TYPE UHUGEINT USING ('0x' || left(email_hash, 32))::UHUGEINT;
ALTER TABLE entry_lead_state ALTER phone_hash TYPE UHUGEINT USING ('0x' || left(phone_hash, 32))::UHUGEINT;
ALTER TABLE lead_snapshot ALTER email_hash TYPE UHUGEINT USING ('0x' || left(email_hash, 32))::UHUGEINT;
ALTER TABLE lead_snapshot ALTER phone_hash TYPE UHUGEINT USING ('0x' || left(phone_hash, 32))::UHUGEINT;
