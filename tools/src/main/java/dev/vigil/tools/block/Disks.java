package dev.vigil.tools.block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Disk names and numbers as the block tools use them: {@code (major << 20) | minor}, read from sysfs. */
public final class Disks {
    private Disks() {}

    /** -d DISK: the disk's number, or a one-line error naming the disk. */
    public static int number(String name) {
        Path dev = Path.of("/sys/block", name, "dev");
        try {
            String[] mm = Files.readString(dev).strip().split(":");
            return (Integer.parseInt(mm[0]) << 20) | Integer.parseInt(mm[1]);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("-d " + name + ": no such disk (see /sys/block)");
        }
    }

    /** The disk's name (e.g. loop0), or MAJ:MIN when sysfs does not know it. */
    public static String name(int number) {
        int major = number >>> 20;
        int minor = number & 0xfffff;
        try {
            for (String line : Files.readAllLines(Path.of("/sys/dev/block", major + ":" + minor, "uevent"))) {
                if (line.startsWith("DEVNAME=")) {
                    return line.substring("DEVNAME=".length());
                }
            }
        } catch (IOException e) {
            // gone since: fall through
        }
        return major + ":" + minor;
    }
}
