-- INFO memory through a script: the client sends INFO only in its admin mode, which the worker has no other use for.
return redis.call('INFO', 'memory')
