-- Pauses every replica's grants of one budget (HubSpot answered 429). Only ever extends a pause.
-- KEYS[1] = pause-until; ARGV[1] = pause ms.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilMicros = now + tonumber(ARGV[1]) * 1000
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMicros > current then
  redis.call('SET', KEYS[1], string.format('%.0f', untilMicros), 'PX', tonumber(ARGV[1]) + 1000)
end
return 1
