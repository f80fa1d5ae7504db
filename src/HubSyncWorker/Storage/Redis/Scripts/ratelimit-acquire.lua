-- One grant of the shared rolling-window rate limit, on Redis's clock.
-- KEYS[1] = grants (sorted set, score = grant time in microseconds), KEYS[2] = pause-until (microseconds);
-- ARGV[1] = window µs, ARGV[2] = limit, ARGV[3] = unique member.
-- Returns {0, grantTimeMicros} when granted, else {waitMillis, nowMicros}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if pausedUntil > now then
  return {math.max(1, math.ceil((pausedUntil - now) / 1000)), now}
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return {0, now}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {math.max(1, math.ceil((tonumber(oldest[2]) + window - now) / 1000)), now}
