-- KEYS[1] = list, KEYS[2] = counter, KEYS[3] = per-contact index; ARGV[1] = json, ARGV[2] = max entries, ARGV[3] = contact id.
-- The entry the cap pushes out leaves the index with it. Returns the counter.
local max = tonumber(ARGV[2])
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
for _, v in ipairs(redis.call('LRANGE', KEYS[1], max, -1)) do
  unindex(v)
end
redis.call('LTRIM', KEYS[1], 0, max - 1)
return redis.call('INCR', KEYS[2])
