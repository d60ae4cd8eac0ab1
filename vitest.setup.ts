// tsyringe needs the Reflect metadata polyfill before it loads.
import "reflect-metadata";
