namespace Cairn.Deployments.Experiments;

/// <summary>Checks shared by the tests: a wrong level is the user's setting, so it is a CairnException.</summary>
internal static class AbInputs
{
    public static void CheckAlpha(double alpha)
    {
        if (!(alpha > 0 && alpha < 1))
            throw CairnException.InvalidParameter($"alpha must be between 0 and 1 (exclusive), got {alpha}; 0.05 is usual.");
    }

    public static void CheckPower(double power)
    {
        if (!(power > 0 && power < 1))
            throw CairnException.InvalidParameter($"power must be between 0 and 1 (exclusive), got {power}; 0.8 is usual.");
    }
}
