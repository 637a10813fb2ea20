/** The detection agent: sensor -> process table -> rules -> outputs, with configuration, health and metrics. */
package dev.vigil.agent;
