using System.Runtime.InteropServices;

namespace Cairn;

/// <summary>
/// Lowers the calling thread's CPU priority. .NET's <see cref="Thread.Priority"/> does nothing on
/// Linux, so background work (the inference log's flushes, monitor runs) would compete as an equal with the
/// request threads and show up in their tail latency; a nice value of 19 gives it only the CPU
/// that requests leave idle. Lowering one's own priority needs no privileges.
/// </summary>
public static class BackgroundPriority
{
    private const int PriorityProcess = 0; // PRIO_PROCESS: on Linux, a thread id names one thread
    private const int Lowest = 19;

    public static void LowerCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            _ = SetPriority(PriorityProcess, GetThreadId(), Lowest); // best effort: a failure leaves the default priority
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc/musl: keep the default priority.
        }
    }

    // DllImport rather than LibraryImport: these take and return plain ints, and Core need not allow unsafe code.
    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);
}
