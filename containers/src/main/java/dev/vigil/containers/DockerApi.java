package dev.vigil.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.vigil.events.EventView;
import dev.vigil.events.Mount;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Docker Engine API calls Vigil makes: inspect a container (and its image, for the digest and for images
 * run by id), list the running containers, and the container event stream.
 */
final class DockerApi implements MetadataSource {
    /** The runtime does not know that container (Docker's 404, CRI's NOT_FOUND). */
    static final class NotFound extends IOException {
        NotFound(String m) { super(m); }
    }

    static final String EVENTS_PATH = "/events?filters=" + URLEncoder.encode(
            "{\"type\":[\"container\"],\"event\":[\"create\",\"start\",\"die\",\"destroy\"]}", StandardCharsets.UTF_8);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final UnixHttp http;
    private final Map<String, ImageMeta> images = new ConcurrentHashMap<>();

    record ImageMeta(List<String> repoTags, List<String> repoDigests) {}

    /** One container event: action (create, start, die, destroy), 64-hex id, time in ns since the epoch. */
    record Event(String action, String id, long timeNano) {}

    DockerApi(Path socket, long timeoutNanos) {
        this.http = new UnixHttp(socket, timeoutNanos, 4 * 1024 * 1024);
    }

    UnixHttp http() { return http; }

    @Override
    public String describe() { return "Docker (" + http.socket() + ")"; }

    @Override
    public boolean present() { return java.nio.file.Files.exists(http.socket()); }

    @Override
    public void close() { } // one connection per request: nothing held open

    /** GET /containers/{id}/json (and /images/{id}/json once per image), as a complete view. */
    @Override
    public ContainerInfo inspect(ContainerId cid) throws IOException {
        UnixHttp.Response r = http.get("/containers/" + cid.fullId() + "/json");
        if (r.status() == 404) throw new NotFound("no such container " + cid.shortId());
        if (r.status() != 200) throw new IOException("inspect " + cid.shortId() + ": HTTP " + r.status() + " " + UnixHttp.printable(r.text()));
        JsonNode c = parse(r.body());
        if (!c.isObject() || !cid.fullId().equals(c.path("Id").asText())) {
            throw new UnixHttp.Garbage("inspect " + cid.shortId() + ": not a container object");
        }
        JsonNode config = c.path("Config"), host = c.path("HostConfig");
        String name = text(c.path("Name"));
        if (name != null && name.startsWith("/")) name = name.substring(1);
        String image = text(config.path("Image"));
        String imageId = text(c.path("Image"));
        ImageMeta meta = imageId == null ? null : image(imageId);
        if (imageId != null && imageId.startsWith("sha256:")) imageId = imageId.substring(7);

        ContainerInfo.ImageRef ref = ContainerInfo.ImageRef.parse(image);
        String repo = ref.repository(), tag = ref.tag(), digest = ref.digest();
        boolean byId = image != null && (image.startsWith("sha256:") || (imageId != null && imageId.startsWith(image)));
        if (byId && meta != null && !meta.repoTags().isEmpty()) {
            ContainerInfo.ImageRef named = ContainerInfo.ImageRef.parse(meta.repoTags().getFirst());
            repo = named.repository();
            tag = named.tag();
        }
        if (digest == null && meta != null) {
            for (String rd : meta.repoDigests()) {
                int at = rd.indexOf('@');
                if (at < 0) continue;
                if (digest == null || rd.substring(0, at).equals(repo)) digest = rd.substring(at + 1);
            }
        }

        List<Mount> mounts = new ArrayList<>();
        for (JsonNode m : c.path("Mounts")) {
            mounts.add(new Mount(str(m.path("Source")), str(m.path("Destination")), str(m.path("Mode")),
                    m.path("RW").asBoolean(true), str(m.path("Propagation"))));
        }
        List<String> capAdd = new ArrayList<>();
        for (JsonNode cap : host.path("CapAdd")) capAdd.add(cap.asText());
        Map<String, String> labels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = config.path("Labels").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> l = it.next();
            labels.put(l.getKey(), l.getValue().asText());
        }
        // the IP: NetworkSettings.IPAddress (the default bridge), else the first network's that has one
        String ip = text(c.path("NetworkSettings").path("IPAddress"));
        for (JsonNode n : c.path("NetworkSettings").path("Networks")) {
            if (ip == null || ip.isEmpty()) ip = text(n.path("IPAddress"));
        }
        if (ip != null && ip.isEmpty()) ip = null; // host or none networking: no address of its own
        return new ContainerInfo(cid, true, name, image, repo, tag, digest, imageId,
                host.path("Privileged").asBoolean(false), time(text(c.path("State").path("StartedAt"))),
                mounts, capAdd, text(host.path("NetworkMode")), text(config.path("User")), labels)
                .withHost(ip, "host".equals(text(host.path("PidMode"))), "host".equals(text(host.path("NetworkMode"))),
                        "host".equals(text(host.path("IpcMode"))));
    }

    private ImageMeta image(String imageId) {
        ImageMeta m = images.get(imageId);
        if (m != null) return m;
        try {
            UnixHttp.Response r = http.get("/images/" + imageId + "/json");
            if (r.status() != 200) return null;
            JsonNode i = parse(r.body());
            m = new ImageMeta(strings(i.path("RepoTags")), strings(i.path("RepoDigests")));
            if (images.size() > 1024) images.clear();
            images.put(imageId, m);
            return m;
        } catch (IOException e) {
            return null; // the digest stays unknown; the container's own fields still count
        }
    }

    /** GET /containers/json: the ids of the running containers. */
    List<String> running() throws IOException {
        UnixHttp.Response r = http.get("/containers/json");
        if (r.status() != 200) throw new IOException("list containers: HTTP " + r.status());
        JsonNode list = parse(r.body());
        if (!list.isArray()) throw new UnixHttp.Garbage("list containers: not an array");
        List<String> ids = new ArrayList<>();
        for (JsonNode c : list) {
            String id = text(c.path("Id"));
            if (id != null) ids.add(id);
        }
        return ids;
    }

    /** One line of the /events stream, or null when it is not a container event we use. */
    static Event parseEvent(String line) throws IOException {
        JsonNode e;
        try {
            e = JSON.readTree(line);
        } catch (IOException ex) {
            throw new UnixHttp.Garbage("event stream: not JSON: " + UnixHttp.printable(line));
        }
        if (e == null || !e.isObject()) throw new UnixHttp.Garbage("event stream: not a JSON object");
        if (!"container".equals(e.path("Type").asText("container"))) return null;
        String action = text(e.path("Action"));
        if (action == null) action = text(e.path("status"));
        String id = text(e.path("Actor").path("ID"));
        if (id == null) id = text(e.path("id"));
        if (action == null || id == null) return null;
        long t = e.path("timeNano").asLong(0);
        if (t == 0) t = e.path("time").asLong(0) * 1_000_000_000L;
        return new Event(action, id, t == 0 ? EventView.ABSENT : t);
    }

    private static JsonNode parse(byte[] body) throws IOException {
        try {
            JsonNode n = JSON.readTree(body);
            if (n == null) throw new UnixHttp.Garbage("empty body");
            return n;
        } catch (UnixHttp.Garbage g) {
            throw g;
        } catch (IOException e) {
            throw new UnixHttp.Garbage("not JSON: " + e.getMessage());
        }
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
    }

    private static String str(JsonNode n) {
        String s = text(n);
        return s == null ? "" : s;
    }

    private static List<String> strings(JsonNode a) {
        List<String> l = new ArrayList<>();
        for (JsonNode s : a) l.add(s.asText());
        return l;
    }

    /** RFC 3339 with nanoseconds to ns since the epoch; Docker's zero time (never started) to ABSENT. */
    static long time(String s) {
        if (s == null || s.startsWith("0001-")) return EventView.ABSENT;
        try {
            Instant i = Instant.parse(s);
            return i.getEpochSecond() * 1_000_000_000L + i.getNano();
        } catch (DateTimeParseException e) {
            return EventView.ABSENT;
        }
    }
}
