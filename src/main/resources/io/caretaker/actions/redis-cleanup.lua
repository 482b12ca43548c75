-- One bounded batch of caretaker's redis-cleanup. Checks each key's conditions and unlinks the
-- keys that pass, atomically: a key touched after SCAN found it is never deleted as idle.
-- KEYS: the batch, already cleared of protected keys by the agent.
-- ARGV[1] min idle seconds (0 = no idle filter); ARGV[2] TTL filter: "any", "none" (only keys
-- without a TTL) or "above" (only keys without a TTL or with one above ARGV[3] milliseconds);
-- ARGV[4] "1" to plan only, deleting nothing.
-- Returns {deleted (or would delete), verdicts}: one letter per key, in KEYS order:
-- D deleted (or would be), R kept as recently used, T kept by the TTL filter, G gone already.
local min_idle = tonumber(ARGV[1])
local ttl_mode = ARGV[2]
local ttl_above = tonumber(ARGV[3])
local plan_only = ARGV[4] == '1'
local verdicts = {}
local doomed = {}
for i, key in ipairs(KEYS) do
  local verdict = 'D'
  if min_idle > 0 then
    local idle = redis.call('OBJECT', 'IDLETIME', key)
    if not idle then
      verdict = 'G'
    elseif idle < min_idle then
      verdict = 'R'
    end
  end
  if verdict == 'D' and ttl_mode ~= 'any' then
    local ttl = redis.call('PTTL', key)
    if ttl == -2 then
      verdict = 'G'
    elseif ttl ~= -1 and (ttl_mode == 'none' or ttl <= ttl_above) then
      verdict = 'T'
    end
  end
  if verdict == 'D' and min_idle == 0 and ttl_mode == 'any' and redis.call('EXISTS', key) == 0 then
    verdict = 'G'
  end
  verdicts[i] = verdict
  if verdict == 'D' then
    doomed[#doomed + 1] = key
  end
end
local deleted = #doomed
if not plan_only then
  deleted = 0
  for i = 1, #doomed, 500 do -- unpack has a stack limit: unlink in slices
    deleted = deleted + redis.call('UNLINK', unpack(doomed, i, math.min(i + 499, #doomed)))
  end
end
return {deleted, table.concat(verdicts)}
