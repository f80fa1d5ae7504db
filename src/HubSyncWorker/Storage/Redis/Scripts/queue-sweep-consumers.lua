-- Removes the consumers of the work queue's group idle for long that hold no pending entry.
-- KEYS[1] = stream; ARGV[1] = group, ARGV[2] = min idle ms. Returns the names removed. No stream or group yet: none.
local consumers = redis.pcall('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
local removed = {}
if type(consumers) ~= 'table' or consumers.err then return removed end
local minIdle = tonumber(ARGV[2])
for _, c in ipairs(consumers) do
  local name, pending, idle
  for i = 1, #c, 2 do
    if c[i] == 'name' then name = c[i + 1]
    elseif c[i] == 'pending' then pending = c[i + 1]
    elseif c[i] == 'idle' then idle = c[i + 1] end
  end
  if name and pending == 0 and idle and idle >= minIdle then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    removed[#removed + 1] = name
  end
end
return removed
