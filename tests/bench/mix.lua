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
	drawn_from = #queries
	-- Each thread draws its own sequence.
	math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 1000)
end

function request()
	return wrk.format("GET", prefix .. queries[math.random(#queries)])
end

-- Said once, at the end, for the thread that drew from the fewest:
-- tests/bench/run.sh checks that the step drew from its file (a step
-- once ran without this script, unnoticed).  done() runs in wrk's main
-- state, which init() never ran in; the threads' counts come from there.
local threads = {}

function setup(thread)
	threads[#threads + 1] = thread
end

function done(summary, latency, requests)
	local fewest
	for _, t in ipairs(threads) do
		local n = t:get("drawn_from") or 0
		if fewest == nil or n < fewest then
			fewest = n
		end
	end
	io.write(string.format("mix: %d query strings\n", fewest or 0))
end
