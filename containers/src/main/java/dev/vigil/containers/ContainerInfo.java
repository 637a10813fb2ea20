package dev.vigil.containers;

import dev.vigil.events.ContainerView;
import dev.vigil.events.EventView;
import dev.vigil.events.Mount;
import java.util.List;
import java.util.Map;

/**
 * What the runtime says about one container: an immutable {@link ContainerView} with the extras Falco's
 * container plugin also knows (added capabilities, network mode, user, all labels). {@link #complete()} is false
 * for an id-only view (the runtime has not answered yet, or could not): then every field but the id and the
 * runtime is null (Falco's {@code <NA>}), {@code privileged} false and {@code startTs} ABSENT.
 */
public final class ContainerInfo implements ContainerView {
    private final ContainerId cid;
    private final boolean complete;
    private final String name, image, imageRepository, imageTag, imageDigest, imageId, networkMode, user;
    private final boolean privileged;
    private final long startTs;
    private final Mount[] mounts;
    private final List<String> capAdd;
    private final Map<String, String> labels;
    private Map<String, String> podLabels = Map.of(); // set once, by withPodLabels, before the view is shared
    // set once, by withHost, before the view is shared
    private String ip;
    private boolean hostPid, hostNetwork, hostIpc;

    ContainerInfo(ContainerId cid, boolean complete, String name, String image, String imageRepository,
                  String imageTag, String imageDigest, String imageId, boolean privileged, long startTs,
                  List<Mount> mounts, List<String> capAdd, String networkMode, String user,
                  Map<String, String> labels) {
        this.cid = cid;
        this.complete = complete;
        this.name = name;
        this.image = image;
        this.imageRepository = imageRepository;
        this.imageTag = imageTag;
        this.imageDigest = imageDigest;
        this.imageId = imageId;
        this.privileged = privileged;
        this.startTs = startTs;
        this.mounts = mounts.toArray(Mount[]::new);
        this.capAdd = List.copyOf(capAdd);
        this.networkMode = networkMode;
        this.user = user;
        this.labels = Map.copyOf(labels);
    }

    /** The id alone: what a lookup returns before (or without) the runtime's answer. */
    public static ContainerInfo idOnly(ContainerId cid) {
        return new ContainerInfo(cid, false, null, null, null, null, null, null, false, EventView.ABSENT,
                List.of(), List.of(), null, null, Map.of());
    }

    /** This view with another start time (the runtime's start event carries it before a re-fetch does). */
    ContainerInfo withStartTs(long ts) {
        return new ContainerInfo(cid, complete, name, image, imageRepository, imageTag, imageDigest, imageId,
                privileged, ts, List.of(mounts), capAdd, networkMode, user, labels).withPodLabels(podLabels)
                .withHost(ip, hostPid, hostNetwork, hostIpc);
    }

    /** Sets the container's IP and the host namespaces it shares; call before the view is handed out. */
    ContainerInfo withHost(String ip, boolean pid, boolean network, boolean ipc) {
        this.ip = ip;
        hostPid = pid;
        hostNetwork = network;
        hostIpc = ipc;
        return this;
    }

    @Override public CharSequence ip() { return ip; }
    @Override public boolean hostPid() { return hostPid; }
    @Override public boolean hostNetwork() { return hostNetwork; }
    @Override public boolean hostIpc() { return hostIpc; }

    /** Sets the pod's labels (a CRI sandbox's); call before the view is handed out. */
    ContainerInfo withPodLabels(Map<String, String> l) {
        podLabels = Map.copyOf(l);
        return this;
    }

    @Override public Map<String, String> podLabels() { return podLabels; }

    public ContainerId containerId() { return cid; }
    /** True when the runtime answered (all fields are the runtime's); false for an id-only view. */
    public boolean complete() { return complete; }
    /** Capabilities added on top of the runtime's default set (Docker's HostConfig.CapAdd), as given. */
    public List<String> capAdd() { return capAdd; }
    /** Docker's HostConfig.NetworkMode (none, host, bridge, container:ID, ...), or null. */
    public String networkMode() { return networkMode; }
    /** The user the container runs as (Config.User; empty: the image's default, root), or null. */
    public String user() { return user; }
    /** All labels. */
    public Map<String, String> labels() { return labels; }

    @Override public CharSequence id() { return cid.shortId(); }
    @Override public CharSequence fullId() { return cid.fullId(); }
    @Override public CharSequence name() { return name; }
    @Override public CharSequence image() { return image; }
    @Override public CharSequence imageRepository() { return imageRepository; }
    @Override public CharSequence imageTag() { return imageTag; }
    @Override public CharSequence imageDigest() { return imageDigest; }
    @Override public CharSequence imageId() { return imageId; }
    @Override public CharSequence runtime() { return cid.runtime(); }
    @Override public boolean privileged() { return privileged; }
    @Override public long startTs() { return startTs; }
    @Override public int mountCount() { return mounts.length; }
    @Override public Mount mount(int i) { return mounts[i]; }
    @Override public CharSequence label(String key) { return labels.get(key); }

    @Override
    public String toString() {
        return "ContainerInfo[" + cid.shortId() + " " + cid.runtime() + (complete ? " name=" + name + " image=" + image
                + " privileged=" + privileged + " capAdd=" + capAdd + " mounts=" + List.of(mounts) : " (id only)") + "]";
    }

    /** Repository, tag and digest of an image reference ({@code [registry[:port]/]repo[:tag][@digest]}). */
    record ImageRef(String repository, String tag, String digest) {
        static ImageRef parse(String ref) {
            if (ref == null || ref.isEmpty()) return new ImageRef(null, null, null);
            String digest = null, rest = ref;
            int at = ref.indexOf('@');
            if (at >= 0) {
                digest = ref.substring(at + 1);
                rest = ref.substring(0, at);
            }
            int colon = rest.lastIndexOf(':'), slash = rest.lastIndexOf('/');
            if (colon > slash) return new ImageRef(rest.substring(0, colon), rest.substring(colon + 1), digest);
            return new ImageRef(rest, digest == null ? "latest" : null, digest);
        }
    }
}
