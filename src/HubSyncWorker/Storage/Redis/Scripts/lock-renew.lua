-- Extends a lease the caller still holds.
-- KEYS[1] = lock; ARGV[1] = expected value, ARGV[2] = ttl ms. Returns 1 when renewed, 0 when the lock is no longer the caller's.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
