-- One bounded batch of caretaker's redis-cleanup. Checks each key's conditions and unlinks the
-- keys that pass, atomically: a key touched after SCAN found it is never deleted as idle.
-- KEYS: the batch, already cleared of protected keys by the agent.
-- ARGV[1] min idle seconds (0 = no idle filter); ARGV[2] TTL filter: "any", "none" (only keys
-- without a TTL) or "above" (only keys without a TTL or with one above ARGV[3] milliseconds);
-- ARGV[4] "1" to plan only, deleting nothing.
-- Returns {deleted (or would delete), kept}: kept lists only the keys not deleted, as pairs of
-- their position in KEYS and why: R recently used, T kept by the TTL filter, G gone already.
-- Most keys of a batch are deleted, so nothing is built per deleted key but the UNLINK arguments.
local min_idle = tonumber(ARGV[1])
local check_ttl = ARGV[2] ~= 'any'
local only_without_ttl = ARGV[2] == 'none'
local ttl_above = tonumber(ARGV[3])
local plan_only = ARGV[4] == '1'
local check_gone = min_idle == 0 and not check_ttl
local doomed, n = {}, 0
local kept, k = {}, 0
for i = 1, #KEYS do
  local key = KEYS[i]
  local why
  if min_idle > 0 then
    local idle = redis.call('OBJECT', 'IDLETIME', key)
    if not idle then
      why = 'G'
    elseif idle < min_idle then
      why = 'R'
    end
  end
  if not why and check_ttl then
    local ttl = redis.call('PTTL', key)
    if ttl == -2 then
      why = 'G'
    elseif ttl ~= -1 and (only_without_ttl or ttl <= ttl_above) then
      why = 'T'
    end
  end
  if not why and check_gone and redis.call('EXISTS', key) == 0 then
    why = 'G'
  end
  if why then
    kept[k + 1] = i
    kept[k + 2] = why
    k = k + 2
  else
    n = n + 1
    doomed[n] = key
  end
end
local deleted = n
if not plan_only then
  deleted = 0
  for i = 1, n, 500 do -- unpack has a stack limit: unlink in slices
    deleted = deleted + redis.call('UNLINK', unpack(doomed, i, math.min(i + 499, n)))
  end
end
return {deleted, kept}
