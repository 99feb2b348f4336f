-- POST each refresh token of a file once (args: file, thread count); thread n
-- takes lines n, n + threads, ... so no token is sent twice. Once a thread runs
-- out it resends its last token (a 401, counted as a non-2xx response).
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local tokens = {}
local i = 0

function init(args)
  local threads = tonumber(args[2])
  local n = 0
  for line in io.lines(args[1]) do
    if n % threads == tid then tokens[#tokens + 1] = line end
    n = n + 1
  end
end

function request()
  i = i + 1
  local token = tokens[i] or tokens[#tokens]
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, '{"refresh":"' .. token .. '"}')
end
