-- wrk script of the list benchmark: each request is one of the query
-- strings of paths.txt (written by mix.mjs, the same ones pgbench runs),
-- drawn uniformly, on the given path.
--
--   wrk ... -s tests/bench/mix.lua http://host:port -- PATHS.TXT /api/v1/needs

local queries = {}
local prefix

function init(args)
	local file = assert(io.open(args[1], "r"))
	for line in file:lines() do
		queries[#queries + 1] = line
	end
	file:close()
	prefix = args[2]
	-- Each thread draws its own sequence.
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
	return wrk.format("GET", prefix .. queries[math.random(#queries)])
end
