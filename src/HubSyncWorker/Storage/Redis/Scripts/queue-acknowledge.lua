-- Acknowledges and deletes entries, so the stream holds only the entries waiting or handed out.
-- KEYS[1] = stream; ARGV[1] = group, ARGV[2..] = entry ids.
redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
