-- Argo CD health check for cacheplane.io/v1alpha1 CachePolicy and RoutePolicy.
-- Both kinds share one status shape, so this one script serves both: install it as
-- resource.customizations.health.cacheplane.io_CachePolicy and ..._RoutePolicy in argocd-cm.
--
-- Contract: Argo CD sets the global `obj` (the live object as a Lua table) and reads the table this
-- script returns: { status = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing",
-- message = "..." }. The script reads only the status fields the operator writes (phase,
-- observedGeneration, conditions, canaryRevision, currentStepIndex, canaryWeight, stableRevision).
-- It is defensive: a missing field, a nil table or an unexpected type ends in "Progressing", never
-- in a script error. Lua 5.1 (Argo CD runs gopher-lua), no library beyond string and base functions.

-- t[key] when t is a table, nil otherwise: field(nil, "x") and field("oops", "x") are both nil.
local function field(t, key)
  if type(t) == "table" then
    return t[key]
  end
  return nil
end

-- A value as display text: strings as they are, numbers and booleans via tostring, anything else "".
local function text(value)
  if type(value) == "string" then
    return value
  end
  if type(value) == "number" or type(value) == "boolean" then
    return tostring(value)
  end
  return ""
end

-- The first condition of the given type in status.conditions, or nil.
local function condition(status, conditionType)
  local conditions = field(status, "conditions")
  if type(conditions) ~= "table" then
    return nil
  end
  for _, c in ipairs(conditions) do
    if field(c, "type") == conditionType then
      return c
    end
  end
  return nil
end

-- True when the condition exists and its status is "True".
local function isTrue(c)
  return field(c, "status") == "True"
end

-- "Reason: message", or whichever of the two is set, or "" when neither is.
local function describe(c)
  local reason = text(field(c, "reason"))
  local message = text(field(c, "message"))
  if reason ~= "" and message ~= "" then
    return reason .. ": " .. message
  end
  return reason .. message
end

-- The first non-empty string among the arguments (the last one is the fallback).
local function firstOf(...)
  for i = 1, select("#", ...) do
    local value = select(i, ...)
    if value ~= nil and value ~= "" then
      return value
    end
  end
  return ""
end

-- Decides the health; returns status, message.
local function assess(obj)
  local status = field(obj, "status")
  if type(status) ~= "table" then
    return "Progressing", "Waiting for the operator"
  end

  -- Until the operator has acted on the newest spec, what status says is about an older one.
  local generation = tonumber(field(field(obj, "metadata"), "generation"))
  local observed = tonumber(field(status, "observedGeneration"))
  if generation ~= nil and (observed == nil or observed < generation) then
    return "Progressing", "Waiting for the operator to observe generation " .. tostring(generation)
  end

  local phase = field(status, "phase")
  local ready = condition(status, "Ready")

  if phase == "Invalid" then
    -- Ready=False; its message names the offending field. Nothing was published for this spec.
    return "Degraded", "Invalid spec: " .. firstOf(text(field(ready, "message")), describe(ready), "see status.conditions")
  end

  if phase == "Degraded" then
    -- E.g. reason RolledBack (automatic rollback), AgentsOutdated (version skew).
    local degraded = condition(status, "Degraded")
    if not isTrue(degraded) or describe(degraded) == "" then
      degraded = ready
    end
    return "Degraded", firstOf(describe(degraded), "Degraded (no condition gives a reason)")
  end

  if phase == "Paused" then
    -- spec.paused, or an indefinite pause step waiting for cacheplane.io/promote.
    local paused = condition(status, "Paused")
    if isTrue(paused) then
      return "Suspended", firstOf(text(field(paused, "message")), text(field(paused, "reason")), "Paused")
    end
    return "Progressing", "Pausing: waiting for the operator to report the Paused condition"
  end

  if phase == "Progressing" then
    local message = "Rolling out"
    local canary = text(field(status, "canaryRevision"))
    if canary ~= "" then
      message = message .. " revision " .. canary
    end
    message = message .. ": step " .. firstOf(text(field(status, "currentStepIndex")), "?")
      .. ", canary weight " .. firstOf(text(field(status, "canaryWeight")), "?") .. "%"
    local progressing = text(field(condition(status, "Progressing"), "message"))
    if progressing ~= "" then
      message = message .. " (" .. progressing .. ")"
    end
    return "Progressing", message
  end

  if phase == "Healthy" then
    if isTrue(ready) then
      local stable = text(field(status, "stableRevision"))
      local fallback = "Ready"
      if stable ~= "" then
        fallback = "Revision " .. stable .. " is stable"
      end
      return "Healthy", firstOf(text(field(ready, "message")), fallback)
    end
    return "Progressing", "Waiting for Ready: " .. firstOf(describe(ready), "no Ready condition yet")
  end

  if phase == "Pending" then
    return "Progressing", "Pending: nothing published yet"
  end

  -- No phase yet, or one this script does not know (a newer operator): never an error.
  if phase == nil then
    return "Progressing", "Waiting for the operator to set a phase"
  end
  return "Progressing", "Unknown phase " .. firstOf(text(phase), "(not a string)")
end

local hs = {}
hs.status, hs.message = assess(obj)
return hs
