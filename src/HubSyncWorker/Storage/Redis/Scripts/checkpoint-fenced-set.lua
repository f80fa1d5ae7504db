-- Writes a checkpoint only while the writer's lease holds the lock. The lock's value is "{fencingToken}:{owner}" and tokens are
-- never reused, so the prefix identifies the lease.
-- KEYS[1] = checkpoint, KEYS[2] = lock; ARGV[1] = "{fencingToken}:", ARGV[2] = value. Returns 1 when written, 0 when refused.
local held = redis.call('GET', KEYS[2])
if not held or string.sub(held, 1, string.len(ARGV[1])) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
