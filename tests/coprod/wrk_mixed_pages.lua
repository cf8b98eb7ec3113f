-- Requests a mix of pages in turn on every connection, the signed-in ones with a session
-- cookie, and prints what tests/coprod/test_faults.py checks as one line of JSON:
-- how many requests, the count of each status, and wrk's error counts.
--   LOAD_PAGES   anonymous paths, separated by spaces
--   LOAD_SIGNED_IN_PAGES, LOAD_COOKIE   paths requested with the cookie
local pages = {}
for path in string.gmatch(os.getenv("LOAD_PAGES") or "", "%S+") do
  table.insert(pages, {path = path, cookie = nil})
end
for path in string.gmatch(os.getenv("LOAD_SIGNED_IN_PAGES") or "", "%S+") do
  table.insert(pages, {path = path, cookie = os.getenv("LOAD_COOKIE")})
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local next_page = 0
statuses = {}

function request()
  next_page = next_page % #pages + 1
  local page = pages[next_page]
  local headers = {
    ["Host"] = os.getenv("LOAD_HOST"),
    -- As the reverse proxy in front of gunicorn says.
    ["X-Forwarded-Proto"] = "https",
    ["Cookie"] = page.cookie,
  }
  return wrk.format("GET", page.path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, count))
  end
  io.write(string.format(
    'LOAD {"requests": %d, "statuses": {%s}, "non_2xx_3xx": %d, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p99_ms": %.1f}\n',
    summary.requests, table.concat(parts, ", "), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(99) / 1000))
end
