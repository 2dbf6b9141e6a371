package org.tokenpowerbench.engine;

import java.nio.file.Path;
import org.tokenpowerbench.client.Route;

/**
 * An engine value that names a server: its base URL, then options after semicolons,
 * {@code http://host:8000;tokenizer=/path/to/tokenizer.json}. Semicolons, because the value is a
 * JMH parameter and JMH splits {@code -p} values at commas (as in {@code -prof} options); on a
 * command line the value is quoted, since a shell ends a command at {@code ;}.
 *
 * @param url       the base URL as given (a trailing {@code /} or {@code /v1} is dropped later)
 * @param tokenizer a Hugging Face {@code tokenizer.json} (or a folder holding one) that counts
 *                  tokens when the server sends no {@code usage}, or null
 * @param continuousUsage {@code usage=continuous}: ask for usage in every chunk
 *                  ({@code stream_options.continuous_usage_stats}, vLLM and SGLang), which makes
 *                  the ITL of chunks that carry several tokens exact
 * @param freshPrefixCache {@code prefixCache=off}: a {@code cache_salt} of its own for every
 *                  request (vLLM), so that no prompt is served from the prefix cache
 * @param apiKeyEnv {@code apiKeyEnv=NAME}: the environment variable that holds this server's API
 *                  key, in place of {@code @Engine(apiKeyEnv)}, so that a run can name it without a
 *                  rebuild; null when the value names none. Only a name: the value is written into
 *                  every result, so a key there would be published
 * @param replicas  every server of a deployment of several replicas that serve the same model,
 *                  {@code http://a:8000|http://b:8000}, in the order given ({@code url} is the first);
 *                  the options after {@code ;} apply to all of them
 * @param route     {@code route=roundRobin} (the default) or {@code route=leastInFlight}: how the
 *                  requests are shared among the replicas
 */
record RemoteEngineValue(String url, Path tokenizer, boolean continuousUsage, boolean freshPrefixCache,
                         String apiKeyEnv, java.util.List<String> replicas, Route route) {

    /** The option that names a tokenizer file. */
    static final String TOKENIZER = "tokenizer";
    /** The option that asks for usage in every chunk. */
    static final String USAGE = "usage";
    /** The option that keeps the server's prefix cache from serving a prompt again. */
    static final String PREFIX_CACHE = "prefixCache";
    /** The option that names the environment variable holding the API key. */
    static final String API_KEY_ENV = "apiKeyEnv";
    /** The option that names how requests are shared among replicas. */
    static final String ROUTE = "route";
    /** What separates the replicas of a deployment in the value. */
    static final String REPLICA_SEPARATOR = "|";

    /** @throws EngineException with one line naming the option at fault */
    static RemoteEngineValue parse(String value) {
        String[] parts = value.trim().split(";", -1);
        Path tokenizer = null;
        boolean continuous = false;
        boolean freshPrefixCache = false;
        String apiKeyEnv = null;
        Route route = null;
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            if (option.contains(REPLICA_SEPARATOR)) {
                throw new EngineException("engine value '" + value + "' has a replica after an option ('" + option
                        + "'): list every replica first and the options once at the end, where they apply to all,"
                        + " e.g. -p 'engine=http://a:8000|http://b:8000;" + ROUTE + "=leastInFlight'");
            }
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq).trim();
            String v = eq < 0 ? "" : option.substring(eq + 1).trim();
            if (key.equals(USAGE)) {
                if (!v.equals("continuous") && !v.equals("final")) {
                    throw new EngineException("engine option '" + option + "' in '" + value + "': give " + USAGE
                            + "=continuous (usage in every chunk: vLLM, SGLang) or " + USAGE + "=final (the default)");
                }
                continuous = v.equals("continuous");
                continue;
            }
            if (key.equals(PREFIX_CACHE)) {
                if (!v.equals("off") && !v.equals("on")) {
                    throw new EngineException("engine option '" + option + "' in '" + value + "': give " + PREFIX_CACHE
                            + "=off (a cache_salt of its own for every request: vLLM) or " + PREFIX_CACHE + "=on (the default)");
                }
                freshPrefixCache = v.equals("off");
                continue;
            }
            if (key.equals(API_KEY_ENV)) {
                if (!v.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    // neither the option nor the value is quoted: what stands there may be the key itself
                    throw new EngineException("engine option " + API_KEY_ENV + " of " + parts[0].trim()
                            + " is not an environment variable name: give the variable's name, never the key itself,"
                            + " e.g. -p 'engine=" + parts[0].trim() + ";" + API_KEY_ENV + "=OPENAI_API_KEY'");
                }
                if (apiKeyEnv != null) {
                    throw new EngineException("engine value of " + parts[0].trim() + " names " + API_KEY_ENV
                            + "= twice: give one variable");
                }
                apiKeyEnv = v;
                continue;
            }
            if (key.equals(ROUTE)) {
                try {
                    route = Route.of(v);
                } catch (IllegalArgumentException e) {
                    throw new EngineException("engine option '" + option + "' in '" + value + "': give " + ROUTE
                            + "=" + Route.ROUND_ROBIN.label() + " (replicas in turn, the default) or " + ROUTE + "="
                            + Route.LEAST_IN_FLIGHT.label() + " (the one with the fewest requests in flight)");
                }
                continue;
            }
            if (!key.equals(TOKENIZER)) {
                throw new EngineException("engine option '" + option + "' in '" + value + "' is not known: the options are "
                        + TOKENIZER + "=/path/to/tokenizer.json, " + USAGE + "=continuous, " + PREFIX_CACHE
                        + "=off, " + ROUTE + "=roundRobin|leastInFlight and " + API_KEY_ENV + "=NAME, e.g. -p 'engine=http://host:8000;"
                        + TOKENIZER + "=/models/llama/tokenizer.json'");
            }
            if (v.isEmpty()) {
                throw new EngineException("engine option '" + option + "' in '" + value + "' names no file: give the path"
                        + " of the served model's tokenizer.json, e.g. ;" + TOKENIZER + "=/models/llama/tokenizer.json");
            }
            if (tokenizer != null) {
                throw new EngineException("engine value '" + value + "' names " + TOKENIZER + "= twice: give one file");
            }
            try {
                tokenizer = Path.of(v);
            } catch (java.nio.file.InvalidPathException e) {
                throw new EngineException("engine option '" + option + "' is not a file path (" + e.getReason() + ")");
            }
        }
        java.util.List<String> replicas = replicas(parts[0].trim(), value);
        return new RemoteEngineValue(replicas.get(0), tokenizer, continuous, freshPrefixCache, apiKeyEnv, replicas,
                route == null ? Route.ROUND_ROBIN : route);
    }

    /**
     * The servers of {@code urls} ({@code http://a:8000|http://b:8000}), each a base URL of its own;
     * one for a value without {@code |}.
     *
     * @throws EngineException for an empty place in the list, a replica that is not an
     *                         {@code http(s)://} URL, or one named twice (it would get twice the requests)
     */
    private static java.util.List<String> replicas(String urls, String value) {
        String[] given = urls.split(java.util.regex.Pattern.quote(REPLICA_SEPARATOR), -1);
        java.util.List<String> replicas = new java.util.ArrayList<>();
        for (String g : given) {
            String url = g.trim();
            if (given.length > 1) {
                String lower = url.toLowerCase(java.util.Locale.ROOT);
                if (url.isEmpty() || !(lower.startsWith("http://") || lower.startsWith("https://"))) {
                    throw new EngineException("engine value '" + value + "' names a replica '" + url + "' that is not a"
                            + " server's base URL: give each as http://host:port, separated by " + REPLICA_SEPARATOR
                            + ", e.g. -p 'engine=http://a:8000|http://b:8000'");
                }
                if (replicas.contains(url)) {
                    throw new EngineException("engine value '" + value + "' names replica " + url + " twice: a server"
                            + " named twice would get twice its share of the requests; name each once");
                }
            }
            replicas.add(url);
        }
        return java.util.List.copyOf(replicas);
    }
}
