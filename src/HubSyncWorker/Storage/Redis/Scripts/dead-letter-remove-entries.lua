-- KEYS as for dead-letter-add.lua; ARGV = the entries to drop, as stored. One pass over the list keeps every other entry in its
-- order (LREM per entry would scan the list once per entry); each given entry is dropped once, its contact's index count lowered.
-- Returns how many were found.
local drop = {}
for _, v in ipairs(ARGV) do drop[v] = (drop[v] or 0) + 1 end
local kept, removed = {}, 0
for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if (drop[v] or 0) > 0 then
    drop[v] = drop[v] - 1
    removed = removed + 1
    unindex(v)
  else
    kept[#kept + 1] = v
  end
end
if removed == 0 then return 0 end
redis.call('DEL', KEYS[1])
for i = 1, #kept, 1000 do redis.call('RPUSH', KEYS[1], unpack(kept, i, math.min(i + 999, #kept))) end
redis.call('DECRBY', KEYS[2], removed)
return removed
