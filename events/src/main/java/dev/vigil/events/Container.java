package dev.vigil.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An immutable {@link ContainerView}; {@link #HOST} for host processes, {@link #builder()} for containers. */
public final class Container implements ContainerView {
    public static final Container HOST = builder().id("host").build();

    private final String id, fullId, name, image, imageRepository, imageTag, imageDigest, imageId, runtime;
    private final boolean privileged;
    private final long startTs;
    private final Mount[] mounts;
    private final Map<String, String> labels;
    private final Map<String, String> podLabels;
    private final String ip;
    private final boolean hostPid, hostNetwork, hostIpc;

    private Container(Builder b) {
        id = b.id; fullId = b.fullId != null ? b.fullId : b.id; name = b.name; image = b.image;
        String repo = b.imageRepository, tag = b.imageTag;
        if (image != null && repo == null) {
            String img = image;
            int at = img.indexOf('@');
            if (at >= 0) img = img.substring(0, at);
            int colon = img.lastIndexOf(':');
            int slash = img.lastIndexOf('/');
            if (colon > slash) {
                repo = img.substring(0, colon);
                if (tag == null) tag = img.substring(colon + 1);
            } else {
                repo = img;
                if (tag == null) tag = "latest";
            }
        }
        imageRepository = repo; imageTag = tag; imageDigest = b.imageDigest; imageId = b.imageId;
        runtime = b.runtime; privileged = b.privileged; startTs = b.startTs;
        mounts = b.mounts.toArray(Mount[]::new);
        labels = Map.copyOf(b.labels);
        podLabels = Map.copyOf(b.podLabels);
        ip = b.ip; hostPid = b.hostPid; hostNetwork = b.hostNetwork; hostIpc = b.hostIpc;
    }

    public static Builder builder() { return new Builder(); }

    @Override public CharSequence id() { return id; }
    @Override public CharSequence fullId() { return fullId; }
    @Override public CharSequence name() { return name; }
    @Override public CharSequence image() { return image; }
    @Override public CharSequence imageRepository() { return imageRepository; }
    @Override public CharSequence imageTag() { return imageTag; }
    @Override public CharSequence imageDigest() { return imageDigest; }
    @Override public CharSequence imageId() { return imageId; }
    @Override public CharSequence runtime() { return runtime; }
    @Override public boolean privileged() { return privileged; }
    @Override public long startTs() { return startTs; }
    @Override public int mountCount() { return mounts.length; }
    @Override public Mount mount(int i) { return mounts[i]; }
    @Override public CharSequence label(String key) { return labels.get(key); }
    @Override public Map<String, String> labels() { return labels; }
    @Override public Map<String, String> podLabels() { return podLabels; }
    @Override public CharSequence ip() { return ip; }
    @Override public boolean hostPid() { return hostPid; }
    @Override public boolean hostNetwork() { return hostNetwork; }
    @Override public boolean hostIpc() { return hostIpc; }

    @Override
    public String toString() { return "Container[" + id + " " + image + "]"; }

    /** Builder for {@link Container}. */
    public static final class Builder {
        private String id, fullId, name, image, imageRepository, imageTag, imageDigest, imageId, runtime;
        private boolean privileged;
        private long startTs = EventView.ABSENT;
        private final List<Mount> mounts = new ArrayList<>();
        private final Map<String, String> labels = new LinkedHashMap<>();
        private final Map<String, String> podLabels = new LinkedHashMap<>();
        private String ip;
        private boolean hostPid, hostNetwork, hostIpc;

        public Builder id(String v) { id = v; return this; }
        public Builder fullId(String v) { fullId = v; return this; }
        public Builder name(String v) { name = v; return this; }
        /** Image reference "repo:tag"; repository and tag are derived unless set explicitly. */
        public Builder image(String v) { image = v; return this; }
        public Builder imageRepository(String v) { imageRepository = v; return this; }
        public Builder imageTag(String v) { imageTag = v; return this; }
        public Builder imageDigest(String v) { imageDigest = v; return this; }
        public Builder imageId(String v) { imageId = v; return this; }
        public Builder runtime(String v) { runtime = v; return this; }
        public Builder privileged(boolean v) { privileged = v; return this; }
        public Builder ip(String v) { ip = v; return this; }
        /** The host namespaces the container shares (container.host_pid / host_network / host_ipc). */
        public Builder hostNamespaces(boolean pid, boolean network, boolean ipc) {
            hostPid = pid;
            hostNetwork = network;
            hostIpc = ipc;
            return this;
        }
        public Builder startTs(long v) { startTs = v; return this; }
        public Builder mount(String source, String dest) { mounts.add(new Mount(source, dest, "", true, "rprivate")); return this; }
        public Builder mount(Mount m) { mounts.add(m); return this; }
        public Builder label(String k, String v) { labels.put(k, v); return this; }
        /** A label of the container's pod (the CRI sandbox's), as k8s.pod.label[KEY] reads it. */
        public Builder podLabel(String k, String v) { podLabels.put(k, v); return this; }
        /** Sets the CRI labels Falco reads {@code k8s.pod.name} and {@code k8s.ns.name} from. */
        public Builder k8s(String namespace, String pod) {
            labels.put(LABEL_POD_NAMESPACE, namespace);
            labels.put(LABEL_POD_NAME, pod);
            return this;
        }

        public Container build() { return new Container(this); }
    }
}
