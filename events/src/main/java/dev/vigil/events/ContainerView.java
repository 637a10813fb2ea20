package dev.vigil.events;

/**
 * The container of a process (Falco's {@code container.*} fields, and {@code k8s.pod.name}/{@code k8s.ns.name}
 * which Falco takes from the CRI container labels). Host processes have id "host" and no other data.
 */
public interface ContainerView {
    String LABEL_POD_NAME = "io.kubernetes.pod.name";
    String LABEL_POD_NAMESPACE = "io.kubernetes.pod.namespace";
    String LABEL_POD_UID = "io.kubernetes.pod.uid";

    /** Short (12 hex) container id, or "host". */
    CharSequence id();
    CharSequence fullId();
    CharSequence name();
    CharSequence image();
    CharSequence imageRepository();
    CharSequence imageTag();
    CharSequence imageDigest();
    CharSequence imageId();
    /** Runtime type: docker, containerd, cri-o, podman, ... */
    CharSequence runtime();
    boolean privileged();
    /** Start time in nanoseconds since the epoch, or ABSENT. */
    long startTs();

    int mountCount();
    Mount mount(int i);

    /** Value of a container label, or null. */
    CharSequence label(String key);

    /** Every label (empty for the host). */
    java.util.Map<String, String> labels();

    /** A label of the container's pod (the CRI's pod sandbox labels: k8s.pod.label[KEY]), or null. */
    default CharSequence podLabel(String key) { return podLabels().get(key); }

    /** Every label of the container's pod (empty outside a CRI pod). */
    default java.util.Map<String, String> podLabels() { return java.util.Map.of(); }

    /** The container's IP address (its first network's), or null when unknown or it has none of its own. */
    default CharSequence ip() { return null; }

    /** Whether the container shares the host's pid / network / IPC namespace (docker run --pid/--network/--ipc host). */
    default boolean hostPid() { return false; }
    default boolean hostNetwork() { return false; }
    default boolean hostIpc() { return false; }

    default boolean isHost() {
        CharSequence id = id();
        return id != null && "host".contentEquals(id);
    }
}
