// Flink's real planner for scaleph's tests: one local TableEnvironment in
// streaming mode (EXPLAIN needs no cluster), driven over stdin/stdout so
// that one JVM start-up (seconds) serves a whole corpus.
//
// Protocol, one request per line: `EXEC <hex>` runs the statement with
// executeSql (DDL, DESCRIBE, SHOW) and answers its rows; `EXPLAIN <hex>`
// answers explainSql of the query. `<hex>` is the UTF-8 text in hex, so a
// statement may span lines. Each answer is one line: `OK <hex>` (rows as
// tab-separated fields, one row a line; the plan for EXPLAIN) or
// `ERR <hex>` (the root cause's class and message, which is what a user of
// the SQL Gateway reads at the bottom of its stack trace). Anything Flink
// itself prints goes to stderr: stdout carries only the answers.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;

public final class Planner {
    public static void main(String[] args) throws Exception {
        PrintStream answers = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        TableEnvironment env = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        BufferedReader requests =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = requests.readLine()) != null) {
            int space = line.indexOf(' ');
            String verb = space < 0 ? line : line.substring(0, space);
            String sql = space < 0 ? "" : unhex(line.substring(space + 1));
            String answer;
            try {
                if (verb.equals("EXPLAIN")) {
                    answer = "OK " + hex(env.explainSql(sql));
                } else if (verb.equals("EXEC")) {
                    answer = "OK " + hex(rows(env.executeSql(sql)));
                } else {
                    answer = "ERR " + hex("unknown request " + verb);
                }
            } catch (Throwable e) {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                answer = "ERR " + hex(root.getClass().getName() + ": " + root.getMessage());
            }
            answers.println(answer);
        }
    }

    /** The rows of a result with content, tab-separated; empty for DDL. */
    private static String rows(TableResult result) throws Exception {
        StringBuilder out = new StringBuilder();
        if (result.getResultKind() != ResultKind.SUCCESS_WITH_CONTENT) {
            return "";
        }
        try (var it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                for (int i = 0; i < row.getArity(); i++) {
                    if (i > 0) {
                        out.append('\t');
                    }
                    out.append(row.getField(i));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16));
            out.append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }

    private static String unhex(String text) {
        byte[] bytes = new byte[text.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
