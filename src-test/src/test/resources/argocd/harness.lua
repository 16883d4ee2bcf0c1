-- Runs an Argo CD health script against one fixture, as Argo CD would, and prints "status|message".
-- Usage: lua5.1 harness.lua <health script> <fixture> <kind>
-- A fixture is a Lua file returning the object as a table literal (metadata, status; no apiVersion
-- or kind: the harness sets them from <kind>, so one fixture serves CachePolicy and RoutePolicy).
-- The script runs in a sandbox close to Argo CD's: the global `obj` plus base functions, string,
-- table and math; no io, os, require or file loading. Exit codes: 0 ok, 2 usage or fixture error,
-- 3 the script failed or returned something outside the health contract.

local function fail(code, message)
  io.stderr:write("harness: " .. message .. "\n")
  os.exit(code)
end

local scriptPath, fixturePath, kind = arg[1], arg[2], arg[3]
if not scriptPath or not fixturePath or not kind then
  fail(2, "usage: lua5.1 harness.lua <health script> <fixture> <kind>")
end

-- The fixture is plain data: load it with an empty environment.
local fixtureChunk, fixtureError = loadfile(fixturePath)
if not fixtureChunk then
  fail(2, "cannot load fixture: " .. tostring(fixtureError))
end
setfenv(fixtureChunk, {})
local loaded, obj = pcall(fixtureChunk)
if not loaded or type(obj) ~= "table" then
  fail(2, "fixture must return a table: " .. tostring(obj))
end
obj.apiVersion = "cacheplane.io/v1alpha1"
obj.kind = kind

local sandbox = {
  obj = obj,
  assert = assert, error = error, ipairs = ipairs, next = next, pairs = pairs, pcall = pcall,
  select = select, tonumber = tonumber, tostring = tostring, type = type, unpack = unpack,
  string = string, table = table, math = math,
}
local scriptChunk, scriptError = loadfile(scriptPath)
if not scriptChunk then
  fail(3, "cannot load health script: " .. tostring(scriptError))
end
setfenv(scriptChunk, sandbox)
local ran, hs = pcall(scriptChunk)
if not ran then
  fail(3, "health script raised an error: " .. tostring(hs))
end

local allowed = { Healthy = true, Progressing = true, Degraded = true, Suspended = true, Missing = true }
if type(hs) ~= "table" then
  fail(3, "health script returned " .. type(hs) .. ", not a table")
end
if not allowed[hs.status] then
  fail(3, "health script returned status " .. tostring(hs.status))
end
if type(hs.message) ~= "string" then
  fail(3, "health script returned a " .. type(hs.message) .. " message")
end
io.write(hs.status .. "|" .. hs.message)
