-- Prefixed to dead-letter-add.lua and dead-letter-remove-entries.lua (RedisScripts): lowers the index count of the contact of list
-- entry v (a JSON dead letter), dropping it at zero. KEYS[3] = per-contact index.
local function unindex(v)
  local ok, entry = pcall(cjson.decode, v)
  if ok and type(entry) == 'table' and type(entry.contactId) == 'string'
      and redis.call('HINCRBY', KEYS[3], entry.contactId, -1) <= 0 then
    redis.call('HDEL', KEYS[3], entry.contactId)
  end
end
