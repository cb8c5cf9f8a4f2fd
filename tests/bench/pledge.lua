-- wrk script of the pledge benchmark: each request pledges 1 unit to one
-- of the bench needs, as one of the bench donors (their session tokens in
-- TOKENS.TXT), drawn uniformly.
--
--   wrk ... -s tests/bench/pledge.lua http://host:port -- TOKENS.TXT FIRST LAST

local tokens = {}
local first, last

function init(args)
	local file = assert(io.open(args[1], "r"))
	for line in file:lines() do
		tokens[#tokens + 1] = line
	end
	file:close()
	first = tonumber(args[2])
	last = tonumber(args[3])
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
	local need = math.random(first, last)
	return wrk.format("POST", "/api/v1/needs/" .. need .. "/pledges", {
		["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
		["Content-Type"] = "application/json",
	}, '{"quantity":1}')
end
