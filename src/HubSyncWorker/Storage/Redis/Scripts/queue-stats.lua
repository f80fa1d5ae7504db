-- KEYS[1] = stream; ARGV[1] = group. One snapshot: length, unacknowledged count, server time (ms), oldest entry id.
local len = redis.call('XLEN', KEYS[1])
local unacked = 0
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1])
if type(p) == 'table' and not p.err then unacked = p[1] end
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local oldestId = ''
if oldest[1] then oldestId = oldest[1][1] end
return {len, unacked, nowMs, oldestId}
