-- Takes a lease lock with a fencing token (RedisDistributedLock).
-- KEYS[1] = lock, KEYS[2] = fencing counter; ARGV[1] = owner, ARGV[2] = ttl ms. Returns the fencing token, or nil when held.
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'PX', ARGV[2])
return token
