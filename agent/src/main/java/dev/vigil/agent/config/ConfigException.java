package dev.vigil.agent.config;

/**
 * A configuration error, already phrased as one line that says where ({@code FILE:LINE:COL} for the config file,
 * {@code -o key=value} for an override) and what is wrong. An {@link IllegalArgumentException} so that the CLI turns
 * it into one line and exit code 2.
 */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }
}
