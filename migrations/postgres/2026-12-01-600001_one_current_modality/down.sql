DROP INDEX modalities_one_current;
