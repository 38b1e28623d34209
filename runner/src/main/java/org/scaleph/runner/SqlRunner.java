package org.scaleph.runner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

/**
 * scaleph's SQL runner: the program a scaleph job is on a Flink cluster.
 *
 * <p>It reads one SQL script, splits it into statements ({@link #split}), applies {@code SET 'k'
 * = 'v'} itself (the Table API has no SET statement), runs every other statement except the
 * writes with {@code TableEnvironment.executeSql}, and submits all writes ({@code INSERT}, also
 * inside {@code EXECUTE STATEMENT SET BEGIN ... END}) as ONE {@code StatementSet}: one script, one
 * Flink job. Streaming mode unless the script sets {@code execution.runtime-mode}.
 *
 * <p>The script arrives as a program argument: {@code --script-base64 <base64 of UTF-8>} (what
 * scaleph sends: it survives every transport of program arguments unchanged — REST's
 * programArgsList, the Kubernetes operator's args, a shell) or {@code --script-file <path>} (for
 * running it by hand).
 *
 * <p>Compiled with {@code javac --release 11} against Flink's public Table API only, so one jar
 * runs on Flink 1.17 to 2.x. Built by {@code runner/build.sh}.
 */
public final class SqlRunner {

    private static final Pattern SET =
            Pattern.compile("(?is)SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'");
    private static final Pattern RESET = Pattern.compile("(?is)RESET\\s+'((?:[^']|'')*)'");
    private static final Pattern STATEMENT_SET_START =
            Pattern.compile("(?is)^(EXECUTE\\s+)?STATEMENT\\s+SET\\s+BEGIN\\s+");
    private static final Pattern BEGIN_STATEMENT_SET =
            Pattern.compile("(?is)BEGIN\\s+STATEMENT\\s+SET");
    private static final Pattern EXECUTE_PREFIX = Pattern.compile("(?is)^EXECUTE\\s+(?=INSERT\\b)");
    private static final Pattern INSERT = Pattern.compile("(?is)^INSERT\\s+(INTO|OVERWRITE)\\b.*");

    private SqlRunner() {}

    public static void main(String[] args) throws Exception {
        String script = readScript(args);
        List<String> statements = split(script);

        // SETs before the first other statement configure the environment itself
        // (execution.runtime-mode must be known when it is created).
        Map<String, String> leading = new LinkedHashMap<>();
        leading.put("execution.runtime-mode", "streaming");
        int first = 0;
        for (; first < statements.size(); first++) {
            String[] kv = setting(statements.get(first));
            if (kv == null) {
                break;
            }
            leading.put(kv[0], kv[1]);
        }
        TableEnvironment env =
                TableEnvironment.create(
                        EnvironmentSettings.newInstance()
                                .withConfiguration(Configuration.fromMap(leading))
                                .build());
        leading.forEach((k, v) -> env.getConfig().set(k, v));

        List<String> inserts = new ArrayList<>();
        for (int i = first; i < statements.size(); i++) {
            String statement = statements.get(i);
            String[] kv = setting(statement);
            if (kv != null) {
                env.getConfig().set(kv[0], kv[1]);
                continue;
            }
            Matcher reset = RESET.matcher(statement);
            if (reset.matches()) {
                env.getConfig().getConfiguration().removeKey(unquote(reset.group(1)));
                continue;
            }
            Matcher start = STATEMENT_SET_START.matcher(statement);
            if (start.find()) {
                statement = statement.substring(start.end());
            }
            if (BEGIN_STATEMENT_SET.matcher(statement).matches()
                    || statement.equalsIgnoreCase("END")) {
                continue;
            }
            statement = EXECUTE_PREFIX.matcher(statement).replaceFirst("");
            if (INSERT.matcher(statement).matches()) {
                inserts.add(statement);
            } else {
                env.executeSql(statement);
            }
        }
        if (inserts.isEmpty()) {
            return;
        }
        StatementSet set = env.createStatementSet();
        for (String insert : inserts) {
            set.addInsertSql(insert);
        }
        TableResult result = set.execute();
        result.getJobClient()
                .ifPresent(job -> System.out.println("scaleph-sql-runner submitted job " + job.getJobID()));
    }

    private static String readScript(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--script-base64")) {
            return new String(Base64.getDecoder().decode(args[1].trim()), StandardCharsets.UTF_8);
        }
        if (args.length == 2 && args[0].equals("--script-file")) {
            return new String(Files.readAllBytes(Paths.get(args[1])), StandardCharsets.UTF_8);
        }
        throw new IllegalArgumentException(
                "usage: SqlRunner --script-base64 <base64 of the script> | --script-file <path>");
    }

    /** {@code SET 'k' = 'v'} as {k, v}; null for any other statement. */
    private static String[] setting(String statement) {
        Matcher m = SET.matcher(statement);
        return m.matches() ? new String[] {unquote(m.group(1)), unquote(m.group(2))} : null;
    }

    private static String unquote(String literal) {
        return literal.replace("''", "'");
    }

    /**
     * The statements of {@code script}, trimmed, without empty ones: split at each {@code ;}
     * outside string literals ({@code '...'} with {@code ''}), quoted identifiers ({@code "..."},
     * {@code `...`}) and comments ({@code --} to the end of the line, {@code /* ... *}{@code /}).
     * Comments are kept in the statement text (Flink's parser skips them).
     */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int n = script.length();
        int i = 0;
        while (i < n) {
            char c = script.charAt(i);
            char next = i + 1 < n ? script.charAt(i + 1) : '\0';
            if (c == '\'' || c == '"' || c == '`') {
                int end = i + 1;
                while (end < n) {
                    if (script.charAt(end) == c) {
                        if (end + 1 < n && script.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, n);
                current.append(script, i, end);
                i = end;
            } else if (c == '-' && next == '-') {
                int end = script.indexOf('\n', i);
                end = end < 0 ? n : end;
                current.append(script, i, end);
                i = end;
            } else if (c == '/' && next == '*') {
                int end = script.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                current.append(script, i, end);
                i = end;
            } else if (c == ';') {
                add(statements, current);
                i++;
            } else {
                current.append(c);
                i++;
            }
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = withoutLeadingComments(current.toString());
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }

    /**
     * {@code text} trimmed, without the comments before its first word (so a statement's kind is
     * read from its first word; comments further in are Flink's to skip).
     */
    private static String withoutLeadingComments(String text) {
        String rest = text.trim();
        while (true) {
            if (rest.startsWith("--")) {
                int end = rest.indexOf('\n');
                rest = end < 0 ? "" : rest.substring(end + 1).trim();
            } else if (rest.startsWith("/*")) {
                int end = rest.indexOf("*/");
                rest = end < 0 ? "" : rest.substring(end + 2).trim();
            } else {
                return rest;
            }
        }
    }
}
