-- KEYS as for dead-letter-add.lua; ARGV[1] = contact id. Returns how many entries were removed. A contact without entries (a
-- deletion or a merge in a webhook, nearly always) costs one HGET; otherwise the list is scanned for its entries.
if not redis.call('HGET', KEYS[3], ARGV[1]) then return 0 end
local removed = 0
for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, entry = pcall(cjson.decode, v)
  if ok and type(entry) == 'table' and entry.contactId == ARGV[1] then
    removed = removed + redis.call('LREM', KEYS[1], 0, v)
  end
end
redis.call('HDEL', KEYS[3], ARGV[1])
if removed > 0 then redis.call('DECRBY', KEYS[2], removed) end
return removed
