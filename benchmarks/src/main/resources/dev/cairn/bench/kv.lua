-- One wrk script for both servers and both operations, so the load is identical.
-- Usage: wrk -s kv.lua URL -- <cairn|etcd> <put|get> [keys] [value-bytes]
-- (KvBenchmark extracts this file next to the servers' data dirs and runs it.)
-- Every request is built once in init() (wrk.format), so the per-request cost in
-- Lua is an array index: the generator spends its CPU on sockets, not on Lua.
local requests = {}
local n = 0
local i = 0

-- RFC 4648 base64, for etcd's JSON gateway
local b64chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
local function base64(data)
  return ((data:gsub('.', function(x)
    local r, b = '', x:byte()
    for k = 8, 1, -1 do r = r .. (b % 2 ^ k - b % 2 ^ (k - 1) > 0 and '1' or '0') end
    return r
  end) .. '0000'):gsub('%d%d?%d?%d?%d?%d?', function(x)
    if #x < 6 then return '' end
    local c = 0
    for k = 1, 6 do c = c + (x:sub(k, k) == '1' and 2 ^ (6 - k) or 0) end
    return b64chars:sub(c + 1, c + 1)
  end) .. ({ '', '==', '=' })[#data % 3 + 1])
end

function init(args)
  local server, op = args[1], args[2]
  local keys = tonumber(args[3] or "10000")
  local size = tonumber(args[4] or "100")
  local value = string.rep("v", size)
  for k = 0, keys - 1 do
    local key = string.format("bench/key-%06d", k)
    local req
    if server == "cairn" then
      if op == "put" then
        req = wrk.format("PUT", "/v1/kv/" .. key, nil, value)
      else
        req = wrk.format("GET", "/v1/kv/" .. key)
      end
    else
      local headers = { ["Content-Type"] = "application/json" }
      if op == "put" then
        req = wrk.format("POST", "/v3/kv/put", headers,
          '{"key":"' .. base64(key) .. '","value":"' .. base64(value) .. '"}')
      else
        req = wrk.format("POST", "/v3/kv/range", headers, '{"key":"' .. base64(key) .. '"}')
      end
    end
    requests[k + 1] = req
  end
  n = keys
  -- threads start at different points of the key space
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  i = math.random(0, n - 1)
end

function request()
  i = i + 1
  if i > n then i = 1 end
  return requests[i]
end
