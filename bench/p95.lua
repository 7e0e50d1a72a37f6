-- Prints the 95th percentile latency (microseconds) after a wrk run, which wrk's own
-- --latency table (50/75/90/99) leaves out.
done = function(summary, latency, requests)
    io.write(string.format("p95_us %d\n", latency:percentile(95)))
end
