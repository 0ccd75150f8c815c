// SELECT queries run by Apache Jena's engine (ARQ over an in-memory TDB2 dataset) as Fuseki runs
// them on a TDB2 dataset with `tdb2:unionDefaultGraph true`: the default graph is the union of
// the named graphs, a set (a triple stated in two graphs is seen once), and GRAPH patterns
// still see each named graph.
//
//   java -cp <the jars of tests/query/jena.py>:<this class> RunQueries DATA QUERY.rq...
//
// DATA is a TriG or N-Quads file (its extension names the syntax); the results of QUERY.rq are
// written beside it as QUERY.srj (SPARQL 1.1 Query Results JSON). One JVM runs every query.

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;

import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.system.Txn;
import org.apache.jena.tdb2.TDB2;
import org.apache.jena.tdb2.TDB2Factory;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: RunQueries DATA QUERY.rq...");
            System.exit(2);
        }
        Dataset dataset = TDB2Factory.createDataset();
        // What Fuseki's assembler does for `tdb2:unionDefaultGraph true`.
        dataset.getContext().set(TDB2.symUnionDefaultGraph, true);
        Txn.executeWrite(dataset, () -> RDFDataMgr.read(dataset, args[0]));
        for (int i = 1; i < args.length; i++) {
            Query query = QueryFactory.read(args[i]);
            if (!query.isSelectType()) {
                throw new IllegalArgumentException(args[i] + ": only SELECT queries are run");
            }
            String name = Path.of(args[i]).getFileName().toString().replaceFirst("\\.rq$", "");
            Path answer = Path.of(args[i]).resolveSibling(name + ".srj");
            Txn.executeRead(dataset, () -> {
                try (QueryExecution execution = QueryExecution.dataset(dataset).query(query).build();
                     OutputStream out = new FileOutputStream(answer.toFile())) {
                    ResultSetFormatter.outputAsJSON(out, execution.execSelect());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }
}
