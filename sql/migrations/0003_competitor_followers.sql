-- Benchmark accounts: a competitor's follower counts load beside the team's own, so a KR such as
-- "the most followers in our industry on Zhihu" has its bar in the warehouse. They never count as
-- the team's followers.
ALTER TABLE follower_daily ADD COLUMN competitor VARCHAR;
