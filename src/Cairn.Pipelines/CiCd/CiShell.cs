namespace Cairn.Pipelines.CiCd;

/// <summary>Quoting for the POSIX shell lines a CI service runs.</summary>
public static class CiShell
{
    /// <summary>One argument as the shell must see it: bare when it has only safe characters, else in single quotes.</summary>
    public static string Quote(string argument)
    {
        if (argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or ':' or '=' or '@' or '%' or '+' or ',' or '-'))
            return argument;
        return "'" + argument.Replace("'", "'\\''") + "'";
    }
}
