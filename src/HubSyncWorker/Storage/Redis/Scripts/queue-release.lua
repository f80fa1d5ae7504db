-- KEYS[1] = stream; ARGV[1] = group, ARGV[2..] = entry ids. Each entry still pending (not acknowledged or released by a replica
-- that reclaimed it) is added again as a new entry with the same fields, whatever they are (its contacts, reason and first
-- enqueue time), then the old one acknowledged and deleted: the new entry starts with no delivery counted. The copy is added
-- first, so an XADD refused (Redis out of memory) leaves that entry pending as it was, to be reclaimed later.
local n = 0
for i = 2, #ARGV do
  local id = ARGV[i]
  local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)[1]
  local entry = redis.call('XRANGE', KEYS[1], id, id)[1]
  if pending and entry then
    redis.call('XADD', KEYS[1], '*', unpack(entry[2]))
    redis.call('XACK', KEYS[1], ARGV[1], id)
    redis.call('XDEL', KEYS[1], id)
    n = n + 1
  end
end
return n
