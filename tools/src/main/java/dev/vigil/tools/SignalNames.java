package dev.vigil.tools;

/** Linux x86-64 signal numbers as names (SIGKILL) and as glibc's strsignal() describes them (Killed). */
public final class SignalNames {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final String[] DESCRIPTIONS = {null, "Hangup", "Interrupt", "Quit", "Illegal instruction",
        "Trace/breakpoint trap", "Aborted", "Bus error", "Floating point exception", "Killed", "User defined signal 1",
        "Segmentation fault", "User defined signal 2", "Broken pipe", "Alarm clock", "Terminated", "Stack fault",
        "Child exited", "Continued", "Stopped (signal)", "Stopped", "Stopped (tty input)", "Stopped (tty output)",
        "Urgent I/O condition", "CPU time limit exceeded", "File size limit exceeded", "Virtual timer expired",
        "Profiling timer expired", "Window changed", "I/O possible", "Power failure", "Bad system call"};
    private static final int SIGRTMIN = 34;

    private SignalNames() {}

    /** SIGKILL for 9, SIGRTMIN+N for real-time signals, the number itself beyond. */
    public static String name(int sig) {
        if (sig > 0 && sig < NAMES.length) return NAMES[sig];
        if (sig == SIGRTMIN) return "SIGRTMIN";
        if (sig > SIGRTMIN && sig <= 64) return "SIGRTMIN+" + (sig - SIGRTMIN);
        return Integer.toString(sig);
    }

    /** strsignal(sig). */
    public static String description(int sig) {
        if (sig > 0 && sig < DESCRIPTIONS.length) return DESCRIPTIONS[sig];
        if (sig >= SIGRTMIN && sig <= 64) return "Real-time signal " + (sig - SIGRTMIN);
        return "Unknown signal " + sig;
    }

    /** The number of a name given as 9, KILL or SIGKILL; -1 if none. */
    public static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException notANumber) {
            String n = s.toUpperCase().startsWith("SIG") ? s.toUpperCase() : "SIG" + s.toUpperCase();
            for (int i = 1; i < NAMES.length; i++) {
                if (NAMES[i].equals(n)) return i;
            }
            return -1;
        }
    }
}
